"""The present layer: figures (style, maps, series), the formatter, reports, the app and the ODD tables."""
