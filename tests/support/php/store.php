<?php
// A PHP stand-in for a bizuno-api store (php -S router): the plugin's REST routes, answered
// in the plugin's shapes, each request appended to the JSON-lines file in STORE_LOG.
// Login: the 'email' and 'pass' headers must equal STORE_EMAIL and STORE_PASS.
header('Content-Type: application/json');
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$route = preg_replace('#^/wp-json/bizuno-api/v1/#', '', $path);
$method = $_SERVER['REQUEST_METHOD'];
if (isset($_SERVER['HTTP_X_HTTP_METHOD_OVERRIDE'])) { $method = strtoupper($_SERVER['HTTP_X_HTTP_METHOD_OVERRIDE']); }
if (($_SERVER['HTTP_EMAIL'] ?? '') !== getenv('STORE_EMAIL') || ($_SERVER['HTTP_PASS'] ?? '') !== getenv('STORE_PASS')) {
    http_response_code(401);
    echo json_encode(['code' => 'rest_forbidden', 'message' => 'Invalid credentials.', 'data' => ['status' => 401]]);
    return;
}
// WordPress reads PUT bodies too; PHP fills $_POST only for POST.
$form = $_POST;
if ($method === 'PUT' && !$form) { parse_str(file_get_contents('php://input'), $form); }
$data = $form['data'] ?? [];
file_put_contents(getenv('STORE_LOG'), json_encode(['method' => $method, 'route' => $route, 'data' => $data]) . "\n", FILE_APPEND);
switch ($route) {
    case 'product/refresh':
        $n = is_array($data) ? count($data) : 0;
        echo json_encode(['result' => 'Success', 'note' => "Updated $n of $n products."]);
        break;
    case 'product/update':
        echo json_encode(['result' => 'Success', 'ID' => 7, 'message' => ['success' => [['text' => 'Product updated']]]]);
        break;
    case 'product/sync':
        echo json_encode(['result' => 'Success', 'message' => ['success' => [['text' => 'All products are in Sync.']]]]);
        break;
    case 'order/confirm':
        $refs = array_keys($data['head'] ?? []);
        echo json_encode(['result' => 'Success', 'message' => ['success' => [['text' =>
            'Order status update complete, the following ' . count($refs) . ' order(s) were updated: (' . implode(', ', $refs) . ')']]]]);
        break;
    default:
        http_response_code(404);
        echo json_encode(['code' => 'rest_no_route', 'message' => 'No route was found matching the URL and request method.', 'data' => ['status' => 404]]);
}
