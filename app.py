"""Jangkau: the Streamlit entry point. Builds the navigation only; pages live in ``pages/``."""

import streamlit as st

from pages.common import PAGES

# The sidebar links are drawn by page_setup(), so a first visit straight to a page's address
# never shows Streamlit's automatic listing of the pages/ folder.
pages = [
    st.Page(path, title=title, icon=icon, default=i == 0)
    for i, (path, title, icon) in enumerate(PAGES)
]
st.navigation(pages, position="hidden").run()
