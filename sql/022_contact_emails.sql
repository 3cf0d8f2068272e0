-- E-mail addresses of customers and leads, so a web visitor who leaves one is recognised.
-- Kept lower-cased; compared lower-cased.
ALTER TABLE customers ADD COLUMN email text;
ALTER TABLE leads ADD COLUMN email text;
CREATE INDEX customers_email_idx ON customers (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX leads_email_idx ON leads (lower(email)) WHERE email IS NOT NULL;
