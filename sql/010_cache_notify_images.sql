-- The tables that came after 006 and change what readers see: an
-- image's variants (the <picture> of every post that shows it) and
-- where each image is used.  The same notification as 006's data
-- tables ('d'); see 006 for why row triggers and TRUNCATE apart.
CREATE TRIGGER image_variants_notify
    AFTER INSERT OR UPDATE OR DELETE ON image_variants
    FOR EACH ROW EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER image_variants_notify_truncate AFTER TRUNCATE ON image_variants
    FOR EACH STATEMENT EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER post_images_notify
    AFTER INSERT OR UPDATE OR DELETE ON post_images
    FOR EACH ROW EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER post_images_notify_truncate AFTER TRUNCATE ON post_images
    FOR EACH STATEMENT EXECUTE FUNCTION kblog_notify('d');
