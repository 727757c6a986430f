"""What the capture form fills in for the inspector, and what it records about how

Revision ID: 0018_capture_defaults
Revises: 0017_statistics_covering_indexes
Create Date: 2026-12-06

A template proposes the parts and content of a visit, and each item the findings inspectors
commonly write for it (one per line; admins edit them with the template). A result answered
with "the rest pass" says so (``bulk``), so the record and its trail show which answers were
set together. A photo may carry a marked-up copy (arrows, circles, a word) drawn on the phone:
the original stays the evidence, the copy is linked to it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_capture_defaults'
down_revision = '0017_statistics_covering_indexes'
branch_labels = None
depends_on = None

#: The general template's items (by their text) and the findings offered for each.
GENERAL_PHRASES = {
    "建立并落实全员安全生产责任制，主要负责人、安全管理人员职责明确": "责任制未覆盖全部岗位\n责任制未签订或未考核",
    "按规定设置安全生产管理机构或配备专（兼）职安全生产管理人员": "未配备专（兼）职安全管理人员",
    "制定安全生产规章制度和操作规程，并在岗位公示": "操作规程未在岗位公示\n规章制度未及时修订",
    "按规定提取和使用安全生产费用": "安全生产费用未提取或台账不全",
    "从业人员经安全生产教育和培训合格后上岗，培训记录齐全": "新员工未经三级安全教育上岗\n培训记录不全",
    "主要负责人和安全生产管理人员具备相应的安全生产知识和管理能力": "负责人未取得安全管理培训合格证",
    "特种作业人员持有效证件上岗": "特种作业人员无证上岗\n特种作业证已过期",
    "建立事故隐患排查治理制度，排查治理情况如实记录并向从业人员通报": "隐患排查记录不全\n发现的隐患未整改闭环",
    "开展安全风险辨识评估，风险分级管控措施落实": "未开展风险辨识\n风险告知卡未张贴",
    "疏散通道、安全出口畅通，未锁闭、占用、堵塞": "疏散通道堆放杂物\n安全出口上锁\n应急照明或疏散指示损坏",
    "消防设施、器材配置齐全、完好有效，定期检查": "灭火器压力不足或过期\n消火栓被遮挡\n消防器材未定期检查",
    "生产经营场所与员工宿舍未设在同一建筑物内（或保持安全距离）": "车间内设员工宿舍",
    "电气线路规范敷设，无私拉乱接，配电箱柜完好、有防护": "私拉乱接电线\n配电箱门缺失或未上锁\n电线未穿管保护",
    "用电设备接地（接零）保护可靠，漏电保护装置有效": "设备未接地\n漏电保护器失效",
    "设备安全防护装置（防护罩、急停、联锁）齐全有效": "传动部位无防护罩\n急停按钮失效",
    "特种设备（锅炉、压力容器、起重机械、叉车等）定期检验并在有效期内": "叉车未定期检验\n压力容器检验过期",
    "危险化学品储存场所、储存方式和数量符合规定，专人管理，台账清楚": "危化品混存\n危化品超量存放\n台账不清",
    "危险化学品安全技术说明书和安全标签齐全": "缺少安全技术说明书\n包装无安全标签",
    "有限空间作业辨识清楚、设置警示标识，执行先通风、再检测、后作业": "有限空间未设警示标识\n未配备检测仪器",
    "粉尘涉爆场所除尘系统规范，定期清扫，不使用明火": "粉尘积尘未清扫\n除尘系统不规范",
    "动火、高处、吊装等危险作业执行审批和现场监护": "动火作业未审批\n作业无人监护",
    "为从业人员提供符合标准的劳动防护用品并监督佩戴": "员工未佩戴防护用品\n防护用品不符合标准",
    "制定生产安全事故应急救援预案并定期演练": "应急预案未演练\n预案未备案",
    "在较大危险因素的场所和设备设施上设置明显的安全警示标志": "警示标志缺失或损坏",
}


def upgrade():
    with op.batch_alter_table('checklist_templates') as batch:
        batch.add_column(sa.Column('default_parts', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('default_content', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('checklist_items') as batch:
        batch.add_column(sa.Column('phrases', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('inspection_item_results') as batch:
        batch.add_column(sa.Column('bulk', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('inspection_photos') as batch:
        batch.add_column(sa.Column('marked_photo_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_inspection_photos_marked_photo_id_photos', 'photos', ['marked_photo_id'], ['id'])
        # Serving a photo looks up its records from it (services.inspections.photo_in_scope).
        batch.create_index('ix_inspection_photos_marked_photo_id', ['marked_photo_id'])
    templates = sa.table('checklist_templates', sa.column('id', sa.Integer), sa.column('name', sa.String),
                         sa.column('industry', sa.String), sa.column('default_parts', sa.Text),
                         sa.column('default_content', sa.Text))
    items = sa.table('checklist_items', sa.column('template_id', sa.Integer), sa.column('text', sa.Text),
                     sa.column('phrases', sa.Text))
    general = sa.and_(templates.c.name == '通用安全检查表', templates.c.industry.is_(None))
    op.execute(templates.update().where(general).values(default_parts='生产车间、仓库、配电房、消防设施',
                                                        default_content='安全管理、教育培训、消防、用电、设备设施'))
    for text, phrases in GENERAL_PHRASES.items():
        op.execute(items.update().where(items.c.text == text, items.c.template_id.in_(
            sa.select(templates.c.id).where(general))).values(phrases=phrases))


def downgrade():
    with op.batch_alter_table('inspection_photos') as batch:
        batch.drop_index('ix_inspection_photos_marked_photo_id')
        batch.drop_constraint('fk_inspection_photos_marked_photo_id_photos', type_='foreignkey')
        batch.drop_column('marked_photo_id')
    with op.batch_alter_table('inspection_item_results') as batch:
        batch.drop_column('bulk')
    with op.batch_alter_table('checklist_items') as batch:
        batch.drop_column('phrases')
    with op.batch_alter_table('checklist_templates') as batch:
        batch.drop_column('default_content')
        batch.drop_column('default_parts')
