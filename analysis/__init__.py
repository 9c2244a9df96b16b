"""Coverage, norm compliance, supply and demand (2SFCA), siting, and the result types of a run."""
