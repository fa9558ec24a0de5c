"""Messages to people: rendering notices from their templates, and sending them (SES v2, SNS)."""
