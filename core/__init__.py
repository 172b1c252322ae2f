"""The core every service is built on: settings, storage, errors, pack versions, the bots runtime
and the services container. It knows neither the resident service nor the admin."""
