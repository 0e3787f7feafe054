"""Jangkau: the Streamlit entry point. Builds the navigation only; pages live in ``pages/``."""

import streamlit as st

pages = [
    st.Page("pages/ringkasan.py", title="Ringkasan", icon=":material/dashboard:", default=True),
    st.Page("pages/peta_cakupan.py", title="Peta Cakupan", icon=":material/map:"),
]
st.navigation(pages).run()
