"""Fixtures run as callables: callables:leak, callables:clean."""
import leaky


def leak(count="2"):
    leaky.leak(int(count), 1000)


def clean():
    leaky.churn(3)
