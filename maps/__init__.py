"""The interactive HTML map, built with folium from analysis results (data frames and values)."""
