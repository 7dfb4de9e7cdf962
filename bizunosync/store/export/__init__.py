"""Store → Bizuno: post an order to Bizuno's portal (`orderAdd`), by hand or when it is placed."""
