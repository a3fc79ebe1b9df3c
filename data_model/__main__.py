"""python -m data_model …"""
import sys

from data_model.cli.main import main

sys.exit(main())
