<?php
// php -S router: record what PHP parsed from the store's orderAdd POST, answer like Bizuno.
$server = [];
foreach (['REQUEST_METHOD', 'CONTENT_TYPE', 'HTTP_USER_AGENT', 'HTTP_ACCEPT'] as $k) { $server[$k] = $_SERVER[$k] ?? null; }
$token = $_SERVER['HTTP_X_BIZUNO_TOKEN'] ?? null;
// Never write the token itself: say whether it is there and whether it matches.
$server['HTTP_X_BIZUNO_TOKEN'] = $token === null ? 'ABSENT'
    : 'present (' . strlen($token) . ' chars, matches expected: ' . (hash_equals((string)getenv('EXPECTED_TOKEN'), $token) ? 'yes' : 'NO') . ')';
$server['HTTP_AUTHORIZATION'] = isset($_SERVER['HTTP_AUTHORIZATION']) ? 'PRESENT' : 'absent';
$headers = getallheaders();
foreach ($headers as $name => $value) { if (strcasecmp($name, 'X-Bizuno-Token') === 0) { $headers[$name] = '[redacted]'; } }
$record = ['_GET' => $_GET, '_POST' => $_POST, 'headers' => $headers, '_SERVER' => $server,
           'input_vars' => count($_POST, COUNT_RECURSIVE) - count($_POST)];
file_put_contents(getenv('RECORD_FILE'), json_encode($record, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES));
header('Content-Type: application/json');
echo json_encode(['result' => 'Success', 'ID' => 4242, 'messages' => ['success' => [['text' => 'Recorded by php -S']]]]);
