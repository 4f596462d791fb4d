"""The whole-plan Excel workbook: one layout, an exporter and an importer."""
