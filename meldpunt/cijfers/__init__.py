"""Council and yearly figures without exposure: aggregates with small-cell suppression."""
