"""trailcheck: will the AWS activity you care about really be recorded, protected and alerted on?"""

__version__ = "0.1.0"
