"""Descriptions are now rendered as HTML: make the ones stored before (raw, shown escaped) safe first."""

from django.db import migrations


def clean_descriptions(apps, schema_editor):
    from bizunosync.store.services.description_html import clean

    Product = apps.get_model("store", "Product")
    changed = []
    for product in Product.objects.only("pk", "short_description", "description").iterator(chunk_size=500):
        short, long = clean(product.short_description), clean(product.description)
        if (short, long) != (product.short_description, product.description):
            product.short_description, product.description = short, long
            changed.append(product)
        if len(changed) >= 500:
            Product.objects.bulk_update(changed, ["short_description", "description"])
            changed = []
    Product.objects.bulk_update(changed, ["short_description", "description"])


class Migration(migrations.Migration):
    dependencies = [("store", "0009_order_shipping_to_confirm")]

    operations = [migrations.RunPython(clean_descriptions, migrations.RunPython.noop)]
