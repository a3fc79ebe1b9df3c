"""The dashboard served as an ASGI app (st.App): dashboard.py with the real client address and /api/identity."""
import streamlit as st

from ui.server import build_middleware, build_routes

app = st.App("dashboard.py", routes=build_routes(), middleware=build_middleware())
