-- Placeholder on the attach branch only, so that 0008 loads (migrations are numbered
-- without gaps): delete this file when merging; the other branches own 0006.
SELECT 1;
