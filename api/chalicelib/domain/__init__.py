"""The complaint domain: plain Python, no AWS, no Chalice, no storage."""
