"""What a reader sees: the HTML map, the planning report and its charts, labels in both languages."""
