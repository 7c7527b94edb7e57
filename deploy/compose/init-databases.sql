-- Run once by the postgres image on an empty data volume
-- (/docker-entrypoint-initdb.d): one database per service, as in production.
CREATE DATABASE portal_identity;
CREATE DATABASE portal_requests;
CREATE DATABASE portal_work_orders;
CREATE DATABASE portal_documents;
CREATE DATABASE portal_notification;
