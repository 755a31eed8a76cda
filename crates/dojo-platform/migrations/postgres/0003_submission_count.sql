-- PostgreSQL counts in the submit statement itself (a data-modifying CTE): nothing to add.
SELECT 1;
