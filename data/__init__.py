"""Norm profiles (``norms/*.toml``) and the embedded demo county (``demo/``)."""
