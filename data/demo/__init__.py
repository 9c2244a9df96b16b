"""The embedded demo county 示例县 (synthetic): its data files and their generator."""
