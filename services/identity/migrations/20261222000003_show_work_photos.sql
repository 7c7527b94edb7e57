-- D6: whether a tenant's customers see the photos of their work orders
-- (staff and technicians always do). On unless an admin turns it off.
ALTER TABLE tenants ADD COLUMN show_work_photos boolean NOT NULL DEFAULT true;
