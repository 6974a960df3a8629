-- The admin members page: members by email within a role or a status, and
-- the dashboard's counts by role and status (a covering index).
CREATE INDEX members_role_email ON members (role, email);
CREATE INDEX members_status_email ON members (status, email);
CREATE INDEX members_counts ON members (role, status, deletion_started_at);
