"""The store console: Quick Refresh, Product Upload, Cart Sync and Ship Confirmation in the admin."""
