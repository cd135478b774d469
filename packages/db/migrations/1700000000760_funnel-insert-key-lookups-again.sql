-- Up Migration
-- Migration 680 re-created kaiku_funnel_on_insert with CREATE OR REPLACE, which replaces a
-- function's SET clauses too: the key-lookup settings of 1700000000540 were gone. A connection
-- that first bumped the funnel while visits was small kept a plan that hashed all of visits for
-- every later insert of invitations (a benchmark: one call read all 13,744 visits for 40 new
-- invitations; 62 ms a call, and MLLP ran at 755 msg/s against 1,800-2,500). The same settings
-- again; a test now counts the visits the trigger reads on such a connection.
ALTER FUNCTION kaiku_funnel_on_insert() SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;

-- Down Migration
ALTER FUNCTION kaiku_funnel_on_insert() RESET ALL;
