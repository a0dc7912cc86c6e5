total = sum(range(1000))
