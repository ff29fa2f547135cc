-- Run under the projections' subscription locks, in one transaction with move_checkpoints.sql.
DROP SCHEMA IF EXISTS readmodel_retired CASCADE;
ALTER SCHEMA readmodel RENAME TO readmodel_retired;
ALTER SCHEMA readmodel_rebuild RENAME TO readmodel;
DROP SCHEMA readmodel_retired CASCADE;
