"""Material theme overrides (``theme.custom_dir``), packaged as generator.site_overrides."""
