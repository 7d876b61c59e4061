-- Step merge: ERP ⋈ link on product_id ⋈ web shop on id_web = sku (inner joins):
-- one row per product sold online. Keys are text on both sides ('4954' = '4954', '13127-1' stays text).
-- Reads erp_dedup, link_dedup and web_dedup, gives merged in natural product_id order.
SELECT erp.product_id,
       web.sku,
       web.post_title AS name,
       erp.price,
       web.total_sales,
       erp.stock_quantity,
       erp.stock_status,
       erp.onsale_web
FROM 'erp_dedup.parquet' AS erp
JOIN 'link_dedup.parquet' AS link ON link.product_id = erp.product_id
JOIN 'web_dedup.parquet' AS web ON web.sku = link.id_web
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(erp.product_id, '[0-9]{1,18}') THEN erp.product_id END AS BIGINT) NULLS LAST,
         erp.product_id NULLS LAST,
         TRY_CAST(CASE WHEN regexp_full_match(web.sku, '[0-9]{1,18}') THEN web.sku END AS BIGINT) NULLS LAST,
         web.sku NULLS LAST,
         erp.source_row, link.source_row, web.source_row  -- a total order, even on duplicates
