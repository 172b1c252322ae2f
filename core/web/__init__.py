"""What every app shares on the web side: request dependencies, error bodies and handlers, guards
(body limits, trusted proxies, security headers) and the operations routes."""
