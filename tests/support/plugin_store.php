<?php
// A plugin-shaped store for the tests (written for them; not the bizuno-api plugin's code).
// It reads a request as WordPress does (PUT bodies with parse_str, POST as $_POST), so PHP's
// own max_input_vars applies, answers product/refresh and product/update in the plugin's shape
// ("Updated N of M products.", M being the items it received), and appends one JSON line per
// request to the file named by RECORD_FILE: the fields sent, the fields PHP kept, the items.
$path   = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$method = $_SERVER['REQUEST_METHOD'];
$raw    = file_get_contents('php://input');
if (isset($_SERVER['HTTP_X_HTTP_METHOD_OVERRIDE'])) { $method = strtoupper($_SERVER['HTTP_X_HTTP_METHOD_OVERRIDE']); }
if ($_SERVER['REQUEST_METHOD'] === 'POST') { $params = $_POST; } else { parse_str($raw, $params); }
$sent = count(array_filter(explode('&', $raw), 'strlen'));
$kept = 0;
array_walk_recursive($params, function () use (&$kept) { $kept++; });
$items = (isset($params['data']) && is_array($params['data'])) ? $params['data'] : [];
file_put_contents(getenv('RECORD_FILE'), json_encode([
    'path' => $path, 'method' => $method, 'sent_vars' => $sent, 'kept_vars' => $kept,
    'count_recursive' => count($params, COUNT_RECURSIVE), 'items' => count($items), 'data' => $items,
]) . "\n", FILE_APPEND | LOCK_EX);
header('Content-Type: application/json');
if (empty($_SERVER['HTTP_EMAIL']) || empty($_SERVER['HTTP_PASS'])) {
    http_response_code(401);
    echo json_encode(['code' => 'rest_forbidden', 'message' => 'Missing credentials.', 'data' => ['status' => 401]]);
} elseif (substr($path, -strlen('/product/refresh')) === '/product/refresh') {
    if (empty($items)) { echo json_encode(['result' => 'Fail', 'note' => 'No items provided', 'message' => []]); }
    else { echo json_encode(['result' => 'Success', 'note' => 'Updated ' . count($items) . ' of ' . count($items) . ' products.', 'message' => []]); }
} elseif (substr($path, -strlen('/product/update')) === '/product/update') {
    echo json_encode(['result' => empty($items['SKU']) ? 'Fail' : 'Success', 'ID' => 1, 'message' => []]);
} else {
    http_response_code(404);
    echo json_encode(['code' => 'rest_no_route', 'message' => 'No route was found.', 'data' => ['status' => 404]]);
}
