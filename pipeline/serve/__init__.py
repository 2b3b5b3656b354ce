"""ninbai serve: the web app over the output folder (review, compare, approve, send, rebuild)."""
