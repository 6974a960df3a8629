-- Nothing language-specific is stored (issue 11): a deleted member's name
-- is empty (the label « membre supprimé » is rendered, translated, where
-- it is shown), a post removed with its author's account has an empty
-- source and HTML (its placeholder is rendered likewise), and the task-list
-- boxes of a post's HTML carry no aria-label (added, translated, at
-- display). This rewrites what earlier versions stored in French. Names
-- are changed only for members whose deletion has started: a member who
-- chose "membre supprimé" as a name keeps it.
UPDATE members SET display_name = '' WHERE display_name = 'membre supprimé' AND deleted_at IS NOT NULL;
UPDATE posts SET author_name = '' WHERE author_name = 'membre supprimé'
	AND author_id IN (SELECT id FROM members WHERE deleted_at IS NOT NULL OR deletion_started_at IS NOT NULL);
UPDATE posts SET decision_by_name = '' WHERE decision_by_name = 'membre supprimé'
	AND decision_by_id IN (SELECT id FROM members WHERE deleted_at IS NOT NULL OR deletion_started_at IS NOT NULL);
UPDATE threads SET author_name = '' WHERE author_name = 'membre supprimé'
	AND author_id IN (SELECT id FROM members WHERE deleted_at IS NOT NULL OR deletion_started_at IS NOT NULL);
UPDATE threads SET last_author = '' WHERE last_author = 'membre supprimé'
	AND last_post_id IN (SELECT p.id FROM posts p JOIN members m ON m.id = p.author_id
		WHERE m.deleted_at IS NOT NULL OR m.deletion_started_at IS NOT NULL);
UPDATE reports SET reporter_name = '' WHERE reporter_name = 'membre supprimé'
	AND reporter_id IN (SELECT id FROM members WHERE deleted_at IS NOT NULL OR deletion_started_at IS NOT NULL);
UPDATE audit SET actor_name = '' WHERE actor_name = 'membre supprimé'
	AND actor_id IN (SELECT id FROM members WHERE deleted_at IS NOT NULL OR deletion_started_at IS NOT NULL);

-- Removed posts: their search terms were the placeholder's words.
DELETE FROM posts_fts WHERE rowid IN
	(SELECT rid FROM posts WHERE source = '*Message supprimé à la demande de son auteur.*'
		AND author_id IN (SELECT id FROM members WHERE deleted_at IS NOT NULL OR deletion_started_at IS NOT NULL));
UPDATE posts SET source = '', html = '', revisions = '[]'
	WHERE source = '*Message supprimé à la demande de son auteur.*'
		AND author_id IN (SELECT id FROM members WHERE deleted_at IS NOT NULL OR deletion_started_at IS NOT NULL);

UPDATE posts SET html = replace(replace(html, ' aria-label="tâche faite"', ''), ' aria-label="tâche à faire"', '')
	WHERE html LIKE '%aria-label="tâche%';
