import leaky

leaky.cache_once()  # allocates on the first run only
