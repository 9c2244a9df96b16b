"""What a reader sees: the HTML map, the planning report and its charts, in both languages."""
