"""Streamlit-side helpers shared by pages: navigation registry, language, engine, sidebar filters, auth state."""
