"""Live shipping rates from Bizuno (`shipGetRates`) for the checkout, with a cache and a fallback."""
