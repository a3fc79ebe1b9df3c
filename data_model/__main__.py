"""python -m data_model …"""
import sys

from data_model.cli import main

sys.exit(main())
