"""The Jinja2 templates of the generated Markdown (package data: generator.templates)."""
