"""Page images: rendering PDF pages and photos, and what can be seen in them."""
