"""The admin API and dashboard: bot registry as town-DX projects, packs as versions, reports."""
