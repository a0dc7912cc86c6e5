import leaky

leaky.leak(2)
raise ValueError("boom from the fixture")
