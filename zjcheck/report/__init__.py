"""Renderers of a pipeline Result: text (terminal), json, html."""
