-- A database as schema version 1 wrote it (inforadm of commit ea00815),
-- for the migration test: v1_admin / v1-admin-pw (administrator),
-- v1_user / v1-user-pw, and a live session of v1_user whose ticket is
-- 0f0e0d0c-0b0a-4909-8807-060504030201.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE infor_meta ( name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO infor_meta VALUES('schema_version','1');
CREATE TABLE infor_users ( id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE, password TEXT NOT NULL DEFAULT '', first_name TEXT NOT NULL DEFAULT '', last_name TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '', mobile TEXT NOT NULL DEFAULT '', enabled INTEGER NOT NULL DEFAULT 1, read_only INTEGER NOT NULL DEFAULT 0, is_admin INTEGER NOT NULL DEFAULT 0, domain TEXT NOT NULL DEFAULT '', auth_authority TEXT NOT NULL DEFAULT 'Native', last_logon BIGINT NOT NULL DEFAULT 0, last_password_change BIGINT NOT NULL DEFAULT 0, pref_language TEXT NOT NULL DEFAULT 'English', pref_default_portal TEXT NOT NULL DEFAULT '', pref_show_archives INTEGER NOT NULL DEFAULT 0, pref_show_hiddens INTEGER NOT NULL DEFAULT 0, pref_notification INTEGER NOT NULL DEFAULT 0, pref_email_type TEXT NOT NULL DEFAULT 'HTML', pref_attach_document INTEGER NOT NULL DEFAULT 0, created BIGINT NOT NULL, updated BIGINT NOT NULL);
INSERT INTO infor_users VALUES(1,'v1_admin','v1_admin','$2y$04$VoTx.J6Tt1k4/LKWZ0xPeej29FrrywYknSCAuQFxeUegxYzkkB6y.','Old','Admin','old@admin','',1,0,1,'','Native',0,1795961720,'English','',0,0,0,'HTML',0,1795961720,1795961720);
INSERT INTO infor_users VALUES(2,'v1_user','v1_user','$2y$04$DReyw2CcLu9ulv4ne5yO8.avcklrCrYH9IVeibOyVQ1XYjpzJXVXu','Zoë','','zoe@v1','+81 90-1234-5678',1,0,0,'','Native',0,1795961720,'English','',0,0,0,'HTML',0,1795961720,1795961720);
CREATE TABLE infor_sessions ( ticket TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES infor_users(id) ON DELETE CASCADE, created BIGINT NOT NULL, expires BIGINT NOT NULL, lang TEXT NOT NULL DEFAULT '');
INSERT INTO infor_sessions VALUES('110322772adb64b2ab8c4e57cd83561bf7d089b7',2,1790000000,4102444800,'');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('infor_users',2);
CREATE INDEX infor_sessions_expires ON infor_sessions(expires);
CREATE INDEX infor_sessions_user ON infor_sessions(user_id);
COMMIT;
