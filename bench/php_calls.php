<?php
// One call per store endpoint, sent the way Bizuno's WooCommerce interface sends
// them: http_build_query(['data' => ...]) bodies, curl, `email`/`pass` headers,
// PUT for Quick Refresh. Usage: php bench/php_calls.php http://127.0.0.1:PORT EMAIL PASS
[$self, $base, $email, $pass] = $argv + [null, 'http://127.0.0.1:8000', 'bizuno@example.com', 'bizuno-demo-pass'];

function call(string $base, string $method, string $endpoint, array $data, string $email, string $pass): void
{
    $url  = rtrim($base, '/') . "/wp-json/bizuno-api/v1/$endpoint";
    $body = http_build_query(['data' => $data]);
    $ch   = curl_init($url);
    curl_setopt_array($ch, [
        CURLOPT_CUSTOMREQUEST  => $method,
        CURLOPT_POSTFIELDS     => $body,
        CURLOPT_HTTPHEADER     => ["email: $email", "pass: $pass"],
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_TIMEOUT        => 30,
    ]);
    $answer = curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_HTTP_CODE);
    curl_close($ch);
    $shown = strlen($body) > 400 ? substr($body, 0, 400) . '…(' . strlen($body) . ' bytes)' : $body;
    echo "> $method $url\n> email: $email\n> pass: ********\n> Content-Type: application/x-www-form-urlencoded\n>\n> $shown\n";
    echo "< HTTP $status\n< $answer\n\n";
}

$png = base64_encode(base64_decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=='));

call($base, 'POST', 'product/update', [
    'SKU' => 'TEA-EB-100', 'Type' => 'si', 'Description' => 'English Breakfast Tea, 100 bags',
    'DescriptionSales' => 'Our strong morning blend.', 'Price' => '6.95', 'QtyStock' => '120',
    'Weight' => '0.55', 'WeightUOM' => 'lb', 'WooCommerceCategory' => 'Pantry|Tea', 'WooCommerceTags' => 'bestseller|tea',
    'PriceTiers' => [['qty' => '10', 'price' => '6.25'], ['qty' => '50', 'price' => '5.60']],
    'ProductImageDirectory' => 'tea', 'ProductImageFilename' => 'tea-eb-100.png', 'ProductImageData' => $png,
    'sendMode' => '1',
], $email, $pass);

call($base, 'PUT', 'product/refresh', [
    ['SKU' => 'TEA-EB-100', 'QtyStock' => '118', 'Price' => '6.95', 'RegularPrice' => '6.95', 'SalePrice' => '',
     'PriceTiers' => [['qty' => '10', 'price' => '6.25'], ['qty' => '50', 'price' => '5.60']]],
    ['SKU' => 'MUG-STONE', 'QtyStock' => '0', 'Price' => '12.00', 'RegularPrice' => '12.00'],
    ['SKU' => 'NOT-IN-STORE', 'QtyStock' => '3'],
    ['SKU' => 'KNF-CHEF-20', 'QtyStock' => 'abc'],
], $email, $pass);

call($base, 'POST', 'product/sync', [
    'syncTag' => 'inWooCommerce',
    'syncSkus' => json_encode(['TEA-EB-100', 'TEA-GR-050', 'COF-BEAN-1K', 'MUG-STONE', 'EGG-CUP-12']),
    'syncDelete' => '0',
], $email, $pass);

call($base, 'POST', 'order/confirm', [
    'head' => ['WC1001' => 'Shipped 11/27/2026 via FedEx Ground, tracking number(s):',
               'WC1002' => 'Shipped 11/27/2026 via UPS Ground, tracking number(s):'],
    'body' => ['WC1001' => '1Z999AA10123456784', 'WC1002' => '1Z999AA10123456785, 1Z999AA10123456786'],
], $email, $pass);

call($base, 'PUT', 'product/refresh', [['SKU' => 'TEA-EB-100', 'QtyStock' => '1']], $email, 'wrong-password');
