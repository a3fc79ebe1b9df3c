"""Border outreach activity tracking: data model, queries, import/export and reports (no Streamlit here)."""
