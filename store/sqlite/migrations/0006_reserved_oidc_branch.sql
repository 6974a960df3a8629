-- Placeholder on the oidc branch only, so that 0007 loads (migrations are numbered
-- without gaps): delete this file when merging; the auth branch owns 0006.
SELECT 1;
