"""The ASGI app `python -m data_model serve` runs (`streamlit run web_app.py`): the dashboard and its login-cookie
routes."""
import streamlit as st

from ui.login_routes import ROUTES

app = st.App("dashboard.py", routes=ROUTES)
