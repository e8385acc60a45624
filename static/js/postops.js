// PostOps behaviour (no inline script: CSP)
