"""Coverage, norm compliance, supply and demand, siting, the report and the pipeline."""
